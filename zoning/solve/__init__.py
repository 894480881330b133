"""The partition engine: problem, rules, diagnosis, exact and heuristic solvers."""
