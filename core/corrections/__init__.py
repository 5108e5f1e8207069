"""Corrections that survive: a take's lip closures (p/b/m) listed, and edited locally without
running the model again (core.corrections.closure_list, local_edit, edit_log)."""
