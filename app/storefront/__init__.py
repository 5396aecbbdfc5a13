"""Storefront policy: keys and hourly rate limits (`keys`, in memory by default) and their
Redis backing shared by every process (`redis_backing`, with REDIS_URL). Below the HTTP
edge: the guard hands it a request's key and address, it never reads a request itself."""
