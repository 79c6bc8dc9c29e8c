// aws-jwt-verify against the emulator's JWKS. Input on stdin:
// {"userPoolId", "clientId", "jwksUri", "idToken", "accessToken"}; output: {"id": claims | error, "access": ...}.
import { CognitoJwtVerifier } from "aws-jwt-verify";

const input = JSON.parse(await new Promise((resolve) => {
  let text = "";
  process.stdin.on("data", (chunk) => { text += chunk; });
  process.stdin.on("end", () => resolve(text));
}));

const verifier = (tokenUse) => CognitoJwtVerifier.create(
  { userPoolId: input.userPoolId, clientId: input.clientId, tokenUse });

async function check(tokenUse, token) {
  const v = verifier(tokenUse);
  try {
    // The pool's JWKS lives on the emulator, not at the AWS issuer URL: load it from there first.
    const response = await fetch(input.jwksUri);
    v.cacheJwks(await response.json());
    return await v.verify(token);
  } catch (error) {
    return { error: error.name, message: error.message };
  }
}

console.log(JSON.stringify({
  id: await check("id", input.idToken),
  access: await check("access", input.accessToken),
  tampered: await check("id", input.idToken.slice(0, -4) + (input.idToken.endsWith("AAAA") ? "BBBB" : "AAAA")),
}));
