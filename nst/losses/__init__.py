"""The losses: distances (distances), the style statistics they compare (style_statistics), and the
catalogue that parses a loss name into both (catalogue)."""
