"""The REST API of 督办, 通报 and 追责."""
