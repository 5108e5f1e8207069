"""Training with torch: supervised teacher, pseudo-labelling, hybrid knowledge distillation."""
