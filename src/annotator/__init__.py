"""annotator: turn an extractor's entity guesses into gold annotations, from the keyboard.

Importing this package is cheap: it loads neither Textual nor natasha.
"""

__version__ = "0.1.0"
