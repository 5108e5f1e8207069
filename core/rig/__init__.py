"""The ARKit channel set, lip sealing and shaping, and mapping onto a user's rig."""
