// Function nodes through libffi (DESIGN §3.2): signatures, call interfaces, JSON ↔ C values.
