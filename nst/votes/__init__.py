"""Blind votes: people compare two losses' outputs with the names hidden; the votes are kept in a
database and ranked with Bradley-Terry strengths. Not the engine: nothing here imports TensorFlow."""
