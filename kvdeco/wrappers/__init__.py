"""The wrappers: one module each, holding the wrapper class and its decorator."""
