"""`nst study`: many image pairs, every loss on each (design), paired statistics (stats, analysis), and
the study's report (report). Runs go through the sweep's Ray runner."""
