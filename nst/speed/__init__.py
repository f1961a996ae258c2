"""Speed: `nst bench` (bench), the race against the TensorFlow tutorial's recipe (race, tutorial)."""
