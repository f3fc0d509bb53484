"""The test FHIR server (Node) and its Python harness."""
