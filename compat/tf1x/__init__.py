"""TF 1.x-era libraries revived on TF 2.21 at run time; imported by the runner and by upgraded files, so it imports neither libcst nor fissix."""
