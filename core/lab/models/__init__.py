"""Model architectures in torch (students, the teacher's head) and the family's configs."""
