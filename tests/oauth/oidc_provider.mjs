// A real OpenID Connect provider for the federation tests: the npm `oidc-provider` package
// (installed by `npm ci`), with one confidential client and its developer sign-in pages, where
// any password is accepted for the login typed (used as the account's email).
//
//   node tests/oauth/oidc_provider.mjs PORT CLIENT_ID CLIENT_SECRET REDIRECT_URI
//
// Prints "ready ISSUER" once it listens.
import Provider from "oidc-provider";

const [port, clientId, clientSecret, redirectUri] = process.argv.slice(2);
const issuer = `http://127.0.0.1:${port}`;

const provider = new Provider(issuer, {
    clients: [
        {
            client_id: clientId,
            client_secret: clientSecret,
            redirect_uris: [redirectUri],
            response_types: ["code"],
            grant_types: ["authorization_code"],
            token_endpoint_auth_method: "client_secret_basic",
        },
    ],
    claims: { openid: ["sub"], email: ["email", "email_verified"] },
    scopes: ["openid", "email"],
    findAccount: async (ctx, sub) => ({
        accountId: sub,
        claims: async () => ({ sub, email: sub, email_verified: true }),
    }),
    features: { devInteractions: { enabled: true } },
    pkce: { required: () => true },
});
provider.on("server_error", (ctx, err) => process.stderr.write(`server_error ${err}\n`));

provider.listen(Number(port), "127.0.0.1", () => {
    process.stdout.write(`ready ${issuer}\n`);
});
