"""What a wheel built from this repository holds (the wheel is what companies install)."""
