"""Command line: parse options, call one function per command, turn domain errors into one sentence.

Kept thin on purpose: the work lives in ``annotator.commands`` (no Textual) and ``annotator.tui``.
Heavy modules are imported inside each command so ``annotator --help`` starts fast.
"""

from __future__ import annotations

import functools
import gc
import os
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Any, ParamSpec, TypeVar, cast

import click
from click_default_group import DefaultGroup

from annotator import __version__
from annotator.core.errors import AnnotatorError
from annotator.core.users import default_user

P = ParamSpec("P")
R = TypeVar("R")
F = TypeVar("F", bound=Callable[..., object])

EXPORT_FORMATS = ["gold", "jsonl", "spacy", "doccano", "label-studio", "brat", "conll"]
IMPORT_FORMATS = ["gold", "jsonl", "spacy", "doccano", "label-studio", "brat"]
SCHEMES = ["strict", "exact", "partial", "type", "token"]
PYDANTIC_PLUGINS_ENV = "PYDANTIC_DISABLE_PLUGINS"


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


class AnnotatorGroup(DefaultGroup):  # type: ignore[misc]  # click-default-group is untyped
    """The command group; a mistake on the command line (an unknown option, a value out of range,
    a format that does not exist) is one sentence on stderr, like every other user mistake, not
    click's three-line usage block."""

    def main(self, *args: Any, **kwargs: Any) -> None:
        kwargs["standalone_mode"] = False  # click then raises what it would have printed
        try:
            code = super().main(*args, **kwargs)
        except click.UsageError as err:
            where = err.ctx.command_path if err.ctx is not None else "annotator"
            click.echo(
                f"annotator: {err.format_message().rstrip('.')} (see '{where} --help').",
                err=True,
            )
            sys.exit(err.exit_code)
        except click.ClickException as err:
            click.echo(f"annotator: {err.format_message()}", err=True)
            sys.exit(err.exit_code)
        except click.exceptions.Abort:
            click.echo("annotator: interrupted.", err=True)
            sys.exit(130)
        sys.exit(code if isinstance(code, int) else 0)  # --help and --version return 0


# DefaultGroup (click-default-group) is untyped: name the group's type for the commands below.
main = cast(
    click.Group,
    click.group(cls=AnnotatorGroup, default="review", default_if_no_args=True)(
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
    # Start-up builds a large heap that lives as long as the app (Textual, pydantic, the
    # widgets): the cyclic GC's full collections of it (~20 ms each) only slow the first frame.
    # The app collects once and re-enables the GC when its first frame is on screen.
    gc.disable()
    # pydantic looks for plugins in every installed distribution's entry points when it builds
    # the first model class (~5-8 ms of start-up); the app uses none. A user who wants theirs
    # sets the variable (to a list of plugin names to leave out, or to an empty string).
    os.environ.setdefault(PYDANTIC_PLUGINS_ENV, "__all__")
    try:
        from annotator.tui.run import run_review

        return run_review(
            paths=list(paths),
            store_dir=store_dir,
            user=user or default_user(),
            labels=_labels(labels),
            readonly=readonly,
        )
    finally:
        gc.enable()


@main.command()
@click.argument("paths", nargs=-1, required=True, type=click.Path(path_type=Path))
@store_option
@user_option
@labels_option
@click.option(
    "--workers",
    type=click.IntRange(1, 64),
    default=None,
    help="Extract in this many processes (default: one per CPU, at most 4, "
    "from 16 documents to extract up).",
)
@friendly
def extract(
    paths: tuple[Path, ...],
    store_dir: Path,
    user: str | None,
    labels: str | None,
    workers: int | None,
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


def bulk_workers_option(what: str) -> Callable[[F], F]:
    return click.option(
        "--workers",
        type=click.IntRange(1, 64),
        default=None,
        help=f"{what} in this many processes (default: one per CPU from 200 documents up).",
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
@bulk_workers_option("Read and encode a gold export")
@friendly
def export(
    fmt: str, output: Path | None, include_unreviewed: bool, store_dir: Path, workers: int | None
) -> int:
    """Write the reviewed documents as gold (or another interchange format)."""
    from annotator.commands.export import run_export

    return run_export(
        store_dir=store_dir,
        fmt=fmt,
        output=output,
        include_unreviewed=include_unreviewed,
        workers=workers,
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
@click.option("--missing-as-empty", is_flag=True,
              help="Score a GOLD document PRED does not have as one with nothing predicted "
                   "(default: report it and leave it out).")
@bulk_workers_option("Split texts into tokens (token scheme)")
@friendly
def evaluate(
    gold: Path,
    pred: Path,
    scheme: tuple[str, ...],
    all_schemes: bool,
    as_json: bool,
    missing_as_empty: bool,
    workers: int | None,
) -> int:
    """Score predictions PRED against GOLD (files in any readable format)."""
    from annotator.commands.evaluate import run_evaluate

    schemes = SCHEMES if all_schemes else list(dict.fromkeys(scheme or ["strict"]))
    return run_evaluate(
        gold=gold, pred=pred, schemes=schemes, as_json=as_json, workers=workers,
        missing_as_empty=missing_as_empty,
    )


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
