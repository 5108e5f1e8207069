"""Model architectures: torch modules for training (imported explicitly) and torch-free configs."""
