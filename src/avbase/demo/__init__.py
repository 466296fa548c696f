"""Demo data: what a newcomer sees first. Generated with a fixed seed, so every install looks the same."""
