"""PlanBridge's own OAuth 2.0 authorization server (authorization code with PKCE S256, rotated
refresh tokens, revocation) and the Basic exchange, for API clients such as the Power Query
connector. Every secret (authorization code, access and refresh token, client secret) is kept
as its SHA-256 only."""
