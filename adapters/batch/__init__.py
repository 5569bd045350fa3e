"""`python -m bot batch`: a file of apps answered through the bot's own service, a few at a time,
into a results file that a later run resumes."""

from adapters.batch.cli import arguments, log_level, run
from adapters.batch.inputs import BadLine, BatchFileError, BatchInput, BatchItem, parse_batch
from adapters.batch.results import ResultFile, ResultLine

__all__ = [
    "BadLine",
    "BatchFileError",
    "BatchInput",
    "BatchItem",
    "ResultFile",
    "ResultLine",
    "arguments",
    "log_level",
    "parse_batch",
    "run",
]
