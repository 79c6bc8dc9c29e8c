// The decoded token: header and payload, one claim per line, every claim the project added highlighted.
import { decodeToken, isCustomClaim } from "./tokens.js";

function ClaimLines({ payload }) {
  const entries = Object.entries(payload);
  return (
    <pre className="json">
      {"{\n"}
      {entries.map(([name, value], index) => {
        const line = `  ${JSON.stringify(name)}: ${JSON.stringify(value)}${index < entries.length - 1 ? "," : ""}\n`;
        return isCustomClaim(name) ? (
          <mark key={name} data-testid="custom-claim" title="custom claim added by the pre token generation trigger">
            {line}
          </mark>
        ) : (
          <span key={name}>{line}</span>
        );
      })}
      {"}"}
    </pre>
  );
}

export function TokenView({ title, token, claimName }) {
  const decoded = decodeToken(token);
  if (!decoded) {
    return (
      <section className="token">
        <h3>{title}</h3>
        <p>Not a decodable JWT.</p>
      </section>
    );
  }
  const hasClaim = Object.prototype.hasOwnProperty.call(decoded.payload, claimName);
  return (
    <section className="token" aria-label={title}>
      <h3>{title}</h3>
      <h4>Header</h4>
      <pre className="json">{JSON.stringify(decoded.header, null, 2)}</pre>
      <h4>Payload</h4>
      <ClaimLines payload={decoded.payload} />
      {!hasClaim && <p className="note">No “{claimName}” claim in this token.</p>}
    </section>
  );
}
