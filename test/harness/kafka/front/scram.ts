// The server side of SCRAM-SHA-256/512 (RFC 5802, RFC 7677) as a Kafka broker runs it, with node:crypto.
import { createHash, createHmac, pbkdf2Sync, randomBytes, timingSafeEqual } from "node:crypto";

export type ScramHash = "sha256" | "sha512";

/** What a broker stores for a SCRAM user: never the password, only salt, iterations and the two keys. */
export interface ScramCredential {
  salt: Buffer;
  iterations: number;
  storedKey: Buffer;
  serverKey: Buffer;
}

/** Kafka's minimum iteration count; kafkajs refuses fewer. */
const ITERATIONS = 4096;

export function scramCredential(hash: ScramHash, password: string): ScramCredential {
  const salt = randomBytes(16);
  const length = hash === "sha256" ? 32 : 64;
  const salted = pbkdf2Sync(password, salt, ITERATIONS, length, hash);
  const clientKey = hmac(hash, salted, "Client Key");
  return {
    salt,
    iterations: ITERATIONS,
    storedKey: createHash(hash).update(clientKey).digest(),
    serverKey: hmac(hash, salted, "Server Key"),
  };
}

/** Thrown when the client's messages are malformed or its proof is wrong. */
export class ScramFailure extends Error {}

/**
 * One SCRAM exchange: client-first → server-first, client-final → server-final. `lookup` finds the
 * credential of a user name (already unescaped); an unknown user fails like a wrong password.
 */
export class ScramServer {
  private state:
    | { step: "first" }
    | { step: "final"; credential: ScramCredential; gs2Header: string; nonce: string; authPrefix: string }
    | { step: "done" } = { step: "first" };

  constructor(
    private readonly hash: ScramHash,
    private readonly lookup: (username: string) => ScramCredential | undefined,
  ) {}

  /** The server's reply to a client message; the exchange is complete after the second one. */
  step(message: string): { reply: string; done: boolean } {
    if (this.state.step === "first") return { reply: this.first(message), done: false };
    if (this.state.step === "final") return { reply: this.final(message), done: true };
    throw new ScramFailure("the exchange is already complete");
  }

  private first(message: string): string {
    // gs2-header: "n" or "y" (no channel binding; "p=" asks for one, which Kafka does not offer),
    // an optional authzid, then client-first-message-bare.
    const match = /^([ny]),(a=[^,]*)?,(n=([^,]*),r=([^,]+)(,.*)?)$/.exec(message);
    if (!match) throw new ScramFailure("invalid client-first-message");
    const [, binding, authzid = "", bare, name, clientNonce] = match;
    const username = unescapeName(name!);
    const credential = this.lookup(username);
    if (!credential) throw new ScramFailure(`unknown user ${username}`);
    if (authzid && unescapeName(authzid.slice(2)) !== username)
      throw new ScramFailure("authorization id differs from the user name");
    const nonce = clientNonce! + randomBytes(18).toString("base64");
    const serverFirst = `r=${nonce},s=${credential.salt.toString("base64")},i=${credential.iterations}`;
    this.state = {
      step: "final",
      credential,
      gs2Header: `${binding},${authzid},`,
      nonce,
      authPrefix: `${bare},${serverFirst}`,
    };
    return serverFirst;
  }

  private final(message: string): string {
    if (this.state.step !== "final") throw new ScramFailure("unexpected client-final-message");
    const { credential, gs2Header, nonce, authPrefix } = this.state;
    this.state = { step: "done" };
    const match = /^(c=([^,]*),r=([^,]*)(,.*)?),p=([^,]+)$/.exec(message);
    if (!match) throw new ScramFailure("invalid client-final-message");
    const [, withoutProof, binding, finalNonce, , proof] = match;
    if (Buffer.from(binding!, "base64").toString() !== gs2Header)
      throw new ScramFailure("channel binding does not match the gs2 header");
    if (finalNonce !== nonce) throw new ScramFailure("nonce does not match the server's");
    const authMessage = `${authPrefix},${withoutProof}`;
    const clientSignature = hmac(this.hash, credential.storedKey, authMessage);
    const clientProof = Buffer.from(proof!, "base64");
    if (clientProof.length !== clientSignature.length) throw new ScramFailure("invalid proof");
    // ClientKey = ClientProof XOR ClientSignature; it is right when its hash is the stored key.
    const clientKey = Buffer.from(clientProof.map((byte, i) => byte ^ clientSignature[i]!));
    const storedKey = createHash(this.hash).update(clientKey).digest();
    if (!timingSafeEqual(storedKey, credential.storedKey)) throw new ScramFailure("invalid proof");
    return `v=${hmac(this.hash, credential.serverKey, authMessage).toString("base64")}`;
  }
}

function hmac(hash: ScramHash, key: Buffer, data: string): Buffer {
  return createHmac(hash, key).update(data).digest();
}

/** saslname: "=2C" is a comma and "=3D" an equals sign; any other "=" is invalid. */
function unescapeName(name: string): string {
  if (/=(?!2C|3D)/.test(name)) throw new ScramFailure("invalid user name encoding");
  return name.replaceAll("=2C", ",").replaceAll("=3D", "=");
}
