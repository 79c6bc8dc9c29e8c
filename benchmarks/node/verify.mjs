// Times aws-jwt-verify's verifySync on the given tokens with the JWKS cached (no network).
// Input (stdin, JSON): {userPoolId, clientId, tokenUse, jwks, tokens: [...], rounds}
// Output (stdout, JSON): {first_us, repeated_us} (microseconds per verification)
import { readFileSync } from "node:fs";
import { CognitoJwtVerifier } from "aws-jwt-verify";

const input = JSON.parse(readFileSync(0, "utf8"));
const verifier = CognitoJwtVerifier.create({
  userPoolId: input.userPoolId,
  clientId: input.clientId,
  tokenUse: input.tokenUse,
});
verifier.cacheJwks(input.jwks);

function timeEach(tokens) {
  const started = process.hrtime.bigint();
  for (const token of tokens) {
    verifier.verifySync(token);
  }
  return Number(process.hrtime.bigint() - started) / 1000 / tokens.length;
}

// aws-jwt-verify has no cache of verified tokens: every call does the RSA check.
timeEach(input.tokens.slice(0, 50)); // warm up the JIT
const first = timeEach(input.tokens);
const repeated = timeEach(Array.from({ length: input.rounds }, () => input.tokens[0]));
console.log(JSON.stringify({ first_us: first, repeated_us: repeated }));
