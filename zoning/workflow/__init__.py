"""Planning runs from files: plan, alternatives, evaluate and compare."""
