import { EntityManager, UniqueConstraintViolationException } from '@mikro-orm/postgresql';
import { Injectable } from '@nestjs/common';
import { normalizeEmail } from '../../common/validation/decorators.js';
import { User } from './entities/user.entity.js';
import { EmailTaken, UserNotFound } from './users.errors.js';

export interface NewUser {
  email: string;
  name: string;
  passwordHash: string;
}

@Injectable()
export class UsersService {
  constructor(private readonly em: EntityManager) {}

  /** Adds the user to the unit of work and flushes; the email must be free. */
  async create(data: NewUser): Promise<User> {
    const user = this.em.create(User, { ...data, email: normalizeEmail(data.email) });
    try {
      await this.em.flush();
    } catch (error) {
      if (error instanceof UniqueConstraintViolationException) throw new EmailTaken();
      throw error;
    }
    return user;
  }

  /** The user with this email (any case), with its password hash loaded. */
  findWithPasswordByEmail(email: string): Promise<User | null> {
    return this.em.findOne(User, { email: normalizeEmail(email) }, { populate: ['passwordHash'] });
  }

  async get(id: string): Promise<User> {
    const user = await this.em.findOne(User, { id });
    if (!user) throw new UserNotFound();
    return user;
  }

  async getWithPassword(id: string): Promise<User> {
    const user = await this.em.findOne(User, { id }, { populate: ['passwordHash'] });
    if (!user) throw new UserNotFound();
    return user;
  }

  async updateProfile(id: string, changes: { name?: string }): Promise<User> {
    const user = await this.get(id);
    this.em.assign(user, changes);
    await this.em.flush();
    return user;
  }
}
