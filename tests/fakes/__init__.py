"""Reusable fakes of outside services (Microsoft Entra ID and Graph) for tests and benchmarks."""
