"""Projects: the sample resource each tier allows a number of, with a tier-gated CSV export."""
