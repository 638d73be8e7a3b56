/**
 * The lessons collection (Astro content layer): one MDX file per lesson in ../lessons, ordered by
 * `order`. The schema is the contract between lesson authors and the layout: a lesson that lacks a
 * field fails the build with Astro's error naming the file and the field.
 */
import { defineCollection } from 'astro:content';
import { glob } from 'astro/loaders';
import { z } from 'astro/zod';

const lessons = defineCollection({
  // `base` resolves from the project root: lessons live beside site/, not inside it.
  loader: glob({ pattern: '**/*.mdx', base: './lessons' }),
  schema: z.object({
    title: z.string().min(1),
    order: z.number().int().positive(),
    summary: z.string().min(1),
    objectives: z.array(z.string().min(1)).min(1),
    /** RFC sections the lesson covers, e.g. "RFC 6455 §5.2". */
    rfc: z.array(z.string().regex(/^RFC \d+ §[\d.]+$/)).min(1),
  }),
});

export const collections = { lessons };
