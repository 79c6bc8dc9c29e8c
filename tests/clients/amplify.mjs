// Amplify JS v6 against the emulator (its userPoolEndpoint setting): SRP sign-in, a forced refresh, sign-out.
// Input on stdin: {"userPoolId", "clientId", "endpoint", "username", "password"}.
// Output on stdout: one JSON object with the claims Amplify saw, or {"error": {name, message}}.
import { Amplify } from "aws-amplify";
import { fetchAuthSession, signIn, signOut } from "aws-amplify/auth";

const input = JSON.parse(await new Promise((resolve) => {
  let text = "";
  process.stdin.on("data", (chunk) => { text += chunk; });
  process.stdin.on("end", () => resolve(text));
}));

Amplify.configure({
  Auth: { Cognito: { userPoolId: input.userPoolId, userPoolClientId: input.clientId, userPoolEndpoint: input.endpoint } },
});

try {
  const result = await signIn({ username: input.username, password: input.password });
  const first = await fetchAuthSession();
  const refreshed = await fetchAuthSession({ forceRefresh: true });
  await signOut();
  const after = await fetchAuthSession();
  console.log(JSON.stringify({
    signedIn: result.isSignedIn,
    idToken: first.tokens.idToken.payload,
    accessToken: first.tokens.accessToken.payload,
    refreshedIdToken: refreshed.tokens.idToken.payload,
    signedOutHasTokens: Boolean(after.tokens),
  }));
} catch (error) {
  console.log(JSON.stringify({ error: { name: error.name, message: error.message } }));
}
