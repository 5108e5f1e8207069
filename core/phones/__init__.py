"""Phones: the phone set, the procedural animator (timed phones -> ARKit curves) and its visemes,
and the closure rules that say where the lips must meet."""
