"""The history of the asylum chain as data: inflow, COA, IND, MPP vintages, spending.

``data/history/`` holds the CSV tables and their sources; :func:`load_history`
reads them into validated objects (:class:`History`).
"""

from bekostiging.history.load import DEFAULT_HISTORY, load_history
from bekostiging.history.schema import History, MppVintage, Status

__all__ = ["DEFAULT_HISTORY", "History", "MppVintage", "Status", "load_history"]
