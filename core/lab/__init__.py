"""The laboratory: corpus, torch models, distillation, evaluation, studies. Never ships."""
