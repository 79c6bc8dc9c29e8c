// Amplify JS v6 with a pool that requires TOTP MFA: first sign-in sets up the authenticator
// (CONTINUE_SIGN_IN_WITH_TOTP_SETUP), the second answers a code (CONFIRM_SIGN_IN_WITH_TOTP_CODE).
// Input on stdin: {"userPoolId", "clientId", "endpoint", "username", "password"}.
// Output: one JSON object with each step Amplify reported and the claims it saw, or {"error": {name, message}}.
import { createHmac } from "node:crypto";
import { Amplify } from "aws-amplify";
import { confirmSignIn, fetchAuthSession, signIn, signOut } from "aws-amplify/auth";

const input = JSON.parse(await new Promise((resolve) => {
  let text = "";
  process.stdin.on("data", (chunk) => { text += chunk; });
  process.stdin.on("end", () => resolve(text));
}));

// RFC 6238 with node:crypto's HMAC: what an authenticator app computes from the shared secret.
function base32(secret) {
  const alphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZ234567";
  let bits = "";
  for (const char of secret.replace(/=+$/, "")) bits += alphabet.indexOf(char).toString(2).padStart(5, "0");
  const bytes = [];
  for (let i = 0; i + 8 <= bits.length; i += 8) bytes.push(parseInt(bits.slice(i, i + 8), 2));
  return Buffer.from(bytes);
}

function totp(secret, offsetSteps = 0) {
  const counter = Buffer.alloc(8);
  counter.writeBigUInt64BE(BigInt(Math.floor(Date.now() / 30000) + offsetSteps));
  const digest = createHmac("sha1", base32(secret)).update(counter).digest();
  const offset = digest[digest.length - 1] & 0xf;
  return String((digest.readUInt32BE(offset) & 0x7fffffff) % 1000000).padStart(6, "0");
}

Amplify.configure({
  Auth: { Cognito: { userPoolId: input.userPoolId, userPoolClientId: input.clientId, userPoolEndpoint: input.endpoint } },
});

try {
  const first = await signIn({ username: input.username, password: input.password });
  console.error("step first", JSON.stringify(first.nextStep));
  const secret = first.nextStep.totpSetupDetails?.sharedSecret;
  const setUpCode = totp(secret);  // kept: re-sent below, it must be refused whatever the time is by then
  const setUp = await confirmSignIn({ challengeResponse: setUpCode });
  console.error("step setUp", JSON.stringify(setUp));
  const enrolled = await fetchAuthSession();
  await signOut();
  const second = await signIn({ username: input.username, password: input.password });
  let wrong = null;
  try {
    await confirmSignIn({ challengeResponse: setUpCode });  // already used at set-up
  } catch (error) {
    wrong = error.name;
  }
  const again = await signIn({ username: input.username, password: input.password });
  const confirmed = await confirmSignIn({ challengeResponse: totp(secret, 1) });
  const session = await fetchAuthSession();
  await signOut();
  console.log(JSON.stringify({
    firstStep: first.nextStep.signInStep,
    secretLength: secret?.length ?? 0,
    setUpSignedIn: setUp.isSignedIn,
    enrolledIdToken: enrolled.tokens.idToken.payload,
    secondStep: second.nextStep.signInStep,
    reusedCode: wrong,
    againStep: again.nextStep.signInStep,
    confirmedSignedIn: confirmed.isSignedIn,
    idToken: session.tokens.idToken.payload,
  }));
} catch (error) {
  console.log(JSON.stringify({ error: { name: error.name, message: error.message } }));
}
