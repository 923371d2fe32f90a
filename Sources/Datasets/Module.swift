// Datasets module of Loupe. See ../shared/DESIGN.md for the layer rules.
