"""Command line: parse options, call one function per command, turn domain errors into one sentence.

Kept thin on purpose: the work lives in ``annotator.commands`` (no Textual) and ``annotator.tui``.
Heavy modules are imported inside each command so ``annotator --help`` starts fast.
"""

from __future__ import annotations

import functools
import sys
from collections.abc import Callable
from pathlib import Path
from typing import ParamSpec, TypeVar, cast

import click
from click_default_group import DefaultGroup

from annotator import __version__
from annotator.core.errors import AnnotatorError
from annotator.core.users import default_user

P = ParamSpec("P")
R = TypeVar("R")

EXPORT_FORMATS = ["gold", "jsonl", "spacy", "doccano", "label-studio", "brat", "conll"]
IMPORT_FORMATS = ["gold", "jsonl", "spacy", "doccano", "label-studio", "brat"]
SCHEMES = ["strict", "exact", "partial", "type", "token"]


def friendly(func: Callable[P, int | None]) -> Callable[P, None]:
    """Run a command; an AnnotatorError becomes one sentence on stderr and its exit code."""

    @functools.wraps(func)
    def wrapper(*args: P.args, **kwargs: P.kwargs) -> None:
        try:
            code = func(*args, **kwargs)
        except AnnotatorError as err:
            click.echo(f"annotator: {err}", err=True)
            sys.exit(err.exit_code)
        except KeyboardInterrupt:
            click.echo("annotator: interrupted.", err=True)
            sys.exit(130)
        sys.exit(code or 0)

    return wrapper


def _labels(value: str | None) -> list[str] | None:
    if value is None:
        return None
    return [part.strip() for part in value.split(",") if part.strip()]


store_option = click.option(
    "--store",
    "store_dir",
    type=click.Path(file_okay=False, path_type=Path),
    default=Path("annotations"),
    show_default=True,
    help="Folder of the annotation store.",
)
user_option = click.option(
    "--user", default=None, help="Who is annotating (default: your login name)."
)
labels_option = click.option(
    "--labels", default=None, help="Comma-separated label set, e.g. PER,LOC,ORG."
)
paths_argument = click.argument("paths", nargs=-1, type=click.Path(path_type=Path))


def _main() -> None:
    """Review entity annotations from the keyboard and export them as gold.

    `annotator seeds/` opens the review app on a folder of .txt files.
    """


# DefaultGroup (click-default-group) is untyped: name the group's type for the commands below.
main = cast(
    click.Group,
    click.group(cls=DefaultGroup, default="review", default_if_no_args=True)(  # type: ignore[no-untyped-call]
        click.version_option(__version__, prog_name="annotator")(_main)
    ),
)


@main.command()
@paths_argument
@store_option
@user_option
@labels_option
@click.option("--readonly", is_flag=True, help="Open the store read-only (no decisions saved).")
@friendly
def review(
    paths: tuple[Path, ...],
    store_dir: Path,
    user: str | None,
    labels: str | None,
    readonly: bool,
) -> int:
    """Open the review app on files and folders of .txt documents (the default command)."""
    from annotator.tui.run import run_review

    return run_review(
        paths=list(paths),
        store_dir=store_dir,
        user=user or default_user(),
        labels=_labels(labels),
        readonly=readonly,
    )


@main.command()
@click.argument("paths", nargs=-1, required=True, type=click.Path(path_type=Path))
@store_option
@user_option
@labels_option
@click.option(
    "--workers",
    type=click.IntRange(1, 64),
    default=1,
    show_default=True,
    help="Extract in this many processes.",
)
@friendly
def extract(
    paths: tuple[Path, ...],
    store_dir: Path,
    user: str | None,
    labels: str | None,
    workers: int,
) -> int:
    """Pre-extract entities with natasha (cached in the store) without opening the app."""
    from annotator.commands.extract import run_extract

    return run_extract(
        paths=list(paths),
        store_dir=store_dir,
        user=user or default_user(),
        labels=_labels(labels),
        workers=workers,
    )


@main.command()
@click.option(
    "--format",
    "fmt",
    type=click.Choice(EXPORT_FORMATS),
    default="gold",
    show_default=True,
    help="Output format.",
)
@click.option(
    "-o",
    "--output",
    type=click.Path(path_type=Path),
    default=None,
    help="Output file (or folder for brat); standard output when omitted.",
)
@click.option(
    "--include-unreviewed", is_flag=True, help="Also export documents that are not marked reviewed."
)
@store_option
@friendly
def export(fmt: str, output: Path | None, include_unreviewed: bool, store_dir: Path) -> int:
    """Write the reviewed documents as gold (or another interchange format)."""
    from annotator.commands.export import run_export

    return run_export(
        store_dir=store_dir, fmt=fmt, output=output, include_unreviewed=include_unreviewed
    )


@main.command(name="import")
@click.argument("path", type=click.Path(path_type=Path))
@click.option(
    "--format", "fmt", type=click.Choice(IMPORT_FORMATS), required=True, help="Input format."
)
@click.option(
    "--as",
    "as_",
    type=click.Choice(["pending", "accepted"]),
    default="pending",
    show_default=True,
    help="pending: predictions to review; accepted: an existing gold corpus.",
)
@click.option("--name", default=None, help="Name of the source (origin import:<name>).")
@click.option(
    "--widen-labels",
    is_flag=True,
    help="Add unknown prediction labels to the store's label set instead of refusing.",
)
@store_option
@user_option
@friendly
def import_(
    path: Path,
    fmt: str,
    as_: str,
    name: str | None,
    widen_labels: bool,
    store_dir: Path,
    user: str | None,
) -> int:
    """Load another extractor's predictions, or an existing gold corpus, into the store."""
    from annotator.commands.importer import run_import

    return run_import(
        path=path,
        fmt=fmt,
        as_=as_,
        name=name,
        widen_labels=widen_labels,
        store_dir=store_dir,
        user=user or default_user(),
    )


@main.command()
@click.argument("gold", type=click.Path(path_type=Path))
@click.argument("pred", type=click.Path(path_type=Path))
@click.option("--scheme", "scheme", type=click.Choice(SCHEMES), multiple=True,
              help="Scoring scheme; repeat for several (default: strict).")
@click.option("--all-schemes", is_flag=True, help="Score with every scheme.")
@click.option("--json", "as_json", is_flag=True, help="Print JSON instead of a table.")
@friendly
def evaluate(
    gold: Path, pred: Path, scheme: tuple[str, ...], all_schemes: bool, as_json: bool
) -> int:
    """Score predictions PRED against GOLD (files in any readable format)."""
    from annotator.commands.evaluate import run_evaluate

    schemes = SCHEMES if all_schemes else list(dict.fromkeys(scheme or ["strict"]))
    return run_evaluate(gold=gold, pred=pred, schemes=schemes, as_json=as_json)


@main.command()
@store_option
@click.option("--json", "as_json", is_flag=True, help="Print JSON instead of tables.")
@friendly
def stats(store_dir: Path, as_json: bool) -> int:
    """Show each document's status and counts, and the model's report card."""
    from annotator.commands.stats import run_stats

    return run_stats(store_dir=store_dir, as_json=as_json)


@main.command()
@friendly
def schema() -> int:
    """Print the JSON Schema of the gold format."""
    from annotator.commands.schema import run_schema

    return run_schema()
