// SASL termination as a Kafka broker's SASL listener does it: SaslHandshake and SaslAuthenticate
// answered here (PLAIN, SCRAM-SHA-256, SCRAM-SHA-512), and nothing else let through before success.
import { timingSafeEqual } from "node:crypto";
import { type ScramCredential, type ScramHash, ScramServer, scramCredential } from "./scram.js";
import { Api, Reader, type RequestHeader, Writer } from "./wire.js";

export type SaslMechanism = "PLAIN" | "SCRAM-SHA-256" | "SCRAM-SHA-512";

export interface SaslUser {
  username: string;
  password: string;
}

export interface FrontSaslOptions {
  users: SaslUser[];
  /** Enabled mechanisms; default all three. */
  mechanisms?: SaslMechanism[];
}

const UNSUPPORTED_SASL_MECHANISM = 33;
const SASL_AUTHENTICATION_FAILED = 58;

/** The users, as a broker keeps them: passwords for PLAIN, SCRAM credentials per hash. */
export class SaslUsers {
  readonly mechanisms: SaslMechanism[];
  private readonly passwords = new Map<string, string>();
  private readonly scram = new Map<string, ScramCredential>();

  constructor(options: FrontSaslOptions) {
    this.mechanisms = options.mechanisms ?? ["PLAIN", "SCRAM-SHA-256", "SCRAM-SHA-512"];
    for (const { username, password } of options.users) {
      this.passwords.set(username, password);
      for (const hash of ["sha256", "sha512"] as const)
        this.scram.set(`${hash}/${username}`, scramCredential(hash, password));
    }
  }

  password(username: string): string | undefined {
    return this.passwords.get(username);
  }

  scramCredential(hash: ScramHash, username: string): ScramCredential | undefined {
    return this.scram.get(`${hash}/${username}`);
  }
}

/** What the connection does with a request: pass it on, let the session answer it, or hang up. */
export type Verdict = "forward" | "answer" | "close";

/** The SASL state of one client connection. */
export class SaslSession {
  private state: "start" | "handshaken" | "authenticated" | "failed" = "start";
  private mechanism: SaslMechanism | undefined;
  private scram: ScramServer | undefined;

  constructor(private readonly users: SaslUsers) {}

  /**
   * Before authentication a broker takes only ApiVersions and SaslHandshake, then only
   * SaslAuthenticate; any other request closes the connection. Sessions never expire (lifetime 0),
   * so a second handshake on an authenticated connection is refused too.
   */
  verdict(apiKey: number): Verdict {
    switch (this.state) {
      case "start":
        if (apiKey === Api.ApiVersions) return "forward";
        return apiKey === Api.SaslHandshake ? "answer" : "close";
      case "handshaken":
        return apiKey === Api.SaslAuthenticate ? "answer" : "close";
      case "authenticated":
        return apiKey === Api.SaslHandshake || apiKey === Api.SaslAuthenticate ? "close" : "forward";
      default:
        return "close";
    }
  }

  /** The response body to a SaslHandshake or SaslAuthenticate; `close` after a failure, as Kafka does. */
  answer(header: RequestHeader, body: Buffer): { body: Buffer; close: boolean } {
    return header.apiKey === Api.SaslHandshake ? this.handshake(body) : this.authenticate(header, body);
  }

  private handshake(body: Buffer): { body: Buffer; close: boolean } {
    const requested = new Reader(body).string();
    const enabled = this.users.mechanisms;
    const mechanism = enabled.find((m) => m === requested);
    const reply = (errorCode: number) =>
      new Writer()
        .int16(errorCode)
        .array(enabled, (w, m) => w.string(m))
        .toBuffer();
    if (!mechanism) {
      this.state = "failed";
      return { body: reply(UNSUPPORTED_SASL_MECHANISM), close: true };
    }
    this.mechanism = mechanism;
    this.state = "handshaken";
    return { body: reply(0), close: false };
  }

  private authenticate(header: RequestHeader, body: Buffer): { body: Buffer; close: boolean } {
    const token = new Reader(body).bytes();
    const reply = (errorCode: number, message: string | null, authBytes: Buffer) => {
      const writer = new Writer().int16(errorCode).nullableString(message).bytes(authBytes);
      if (header.apiVersion >= 1) writer.int64(0n); // session_lifetime_ms: no re-authentication
      return writer.toBuffer();
    };
    try {
      const { reply: serverToken, done } = this.step(token);
      if (done) this.state = "authenticated";
      return { body: reply(0, null, serverToken), close: false };
    } catch (error) {
      this.state = "failed";
      return {
        body: reply(SASL_AUTHENTICATION_FAILED, failureMessage(this.mechanism!, error), EMPTY),
        close: true,
      };
    }
  }

  private step(token: Buffer): { reply: Buffer; done: boolean } {
    if (this.mechanism === "PLAIN") return { reply: EMPTY, done: this.plain(token) };
    const hash: ScramHash = this.mechanism === "SCRAM-SHA-256" ? "sha256" : "sha512";
    this.scram ??= new ScramServer(hash, (username) => this.users.scramCredential(hash, username));
    const { reply, done } = this.scram.step(token.toString("utf8"));
    return { reply: Buffer.from(reply, "utf8"), done };
  }

  /** PLAIN (RFC 4616): [authzid] NUL authcid NUL passwd, in one token. */
  private plain(token: Buffer): true {
    const parts = token.toString("utf8").split("\0");
    if (parts.length !== 3) throw new PlainFailure("Authentication failed: Invalid SASL/PLAIN response");
    const [authzid, username, password] = parts as [string, string, string];
    if (authzid && authzid !== username)
      throw new PlainFailure(
        "Authentication failed: Client requested an authorization id that is different from username",
      );
    const expected = this.users.password(username);
    if (expected === undefined || !sameText(expected, password))
      throw new PlainFailure("Authentication failed: Invalid username or password");
    return true;
  }
}

const EMPTY = Buffer.alloc(0);

/** PLAIN's failures carry their own message to the client, as Kafka's PlainSaslServer's do. */
class PlainFailure extends Error {}

/**
 * Kafka tells a SCRAM client only that its credentials were invalid, never why (the reason could reveal
 * whether the user exists).
 */
function failureMessage(mechanism: SaslMechanism, error: unknown): string {
  if (error instanceof PlainFailure) return error.message;
  return `Authentication failed during authentication due to invalid credentials with SASL mechanism ${mechanism}`;
}

function sameText(a: string, b: string): boolean {
  const left = Buffer.from(a);
  const right = Buffer.from(b);
  return left.length === right.length && timingSafeEqual(left, right);
}
