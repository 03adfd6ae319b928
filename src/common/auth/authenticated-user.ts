/** Who is calling: resolved from the access token and its live session by the auth guard. */
export class AuthenticatedUser {
  constructor(
    readonly userId: string,
    readonly sessionId: string,
  ) {}
}
