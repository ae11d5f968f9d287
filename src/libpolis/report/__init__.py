"""The city brief: HTML (and later PDF) rendered from the evidence."""
