"""The morning brief: the day's feeds in, one digest out, on a schedule, unattended."""
