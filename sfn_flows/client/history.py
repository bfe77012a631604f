"""History events: the type lives in the pure `sfn_flows.asl.history`; re-exported here."""

from sfn_flows.asl.history import HistoryEvent, states_entered

__all__ = ["HistoryEvent", "states_entered"]
