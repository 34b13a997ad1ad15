"""Stories: same-story grouping and one brief from several articles."""
