"""One runner class per state type, each evaluating itself (see base.py), and the machine
loop that walks them (program.py)."""
