// aws-jwt-verify on a machine (client-credentials) access token from the emulator. Input on stdin:
// {"userPoolId", "clientId", "otherClientId", "scope", "jwksUri", "accessToken"}; output: the claims, or the error,
// for the token's own client with the API's scope, and for another client id (which must fail).
import { CognitoJwtVerifier } from "aws-jwt-verify";

const input = JSON.parse(await new Promise((resolve) => {
  let text = "";
  process.stdin.on("data", (chunk) => { text += chunk; });
  process.stdin.on("end", () => resolve(text));
}));
const jwks = await (await fetch(input.jwksUri)).json();

async function check(clientId, scope) {
  const verifier = CognitoJwtVerifier.create({ userPoolId: input.userPoolId, tokenUse: "access", clientId, scope });
  verifier.cacheJwks(jwks);
  try {
    return await verifier.verify(input.accessToken);
  } catch (error) {
    return { error: error.name, message: error.message };
  }
}

console.log(JSON.stringify({
  own: await check(input.clientId, input.scope),
  otherClient: await check(input.otherClientId, input.scope),
  otherScope: await check(input.clientId, "some-api/never"),
}));
