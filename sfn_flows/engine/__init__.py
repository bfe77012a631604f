"""An ASL interpreter that runs in the test's process, with a virtual clock."""
