// Checks one of our Twilio access tokens against Twilio's own helper library:
// the helper, given the same inputs and clock, must produce a token that
// decodes to the same header and payload, and ours must verify.
// Usage: node twilio-reference.mjs '<json of inputs and our token>'
import twilio from "twilio";
import jwt from "jsonwebtoken";
import { isDeepStrictEqual } from "node:util";

const input = JSON.parse(process.argv[2]);
const realNow = Date.now;
Date.now = () => input.now * 1000;
const token = new twilio.jwt.AccessToken(input.accountSid, input.apiKey, input.apiSecret, {
  identity: input.identity,
  ttl: input.ttl,
});
token.addGrant(new twilio.jwt.AccessToken.VideoGrant({ room: input.room }));
const reference = jwt.decode(token.toJwt(), { complete: true });
Date.now = realNow;

const ours = jwt.decode(input.ours, { complete: true });
let failed = false;
for (const part of ["header", "payload"]) {
  if (!isDeepStrictEqual(ours[part], reference[part])) {
    console.error(`${part} differs:\n ours:      ${JSON.stringify(ours[part])}\n reference: ${JSON.stringify(reference[part])}`);
    failed = true;
  }
}
try {
  jwt.verify(input.ours, input.apiSecret, { algorithms: ["HS256"], clockTimestamp: input.now });
} catch (err) {
  console.error(`our token does not verify: ${err.message}`);
  failed = true;
}
if (failed) process.exit(1);
console.log("our token matches Twilio's helper library");
