"""The CC0 demo head: its geometry, lip gap, mouth shading and gap plots."""
