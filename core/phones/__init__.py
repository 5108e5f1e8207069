"""The procedural animator: timed phones -> ARKit lower-face curves (core.phones.animator), from
the phone-to-pose table (core.phones.visemes). Its curves are the labels the models learn from
and, in transcript mode, the animation of the aligned text."""
