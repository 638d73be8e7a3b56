/** The lessons in course order, with the neighbours a lesson page links to. Build time only. */
import { getCollection, type CollectionEntry } from 'astro:content';
import type { LessonSummary } from './lessons-types.ts';

export type { LessonSummary };

export type Lesson = CollectionEntry<'lessons'>;


export async function orderedLessons(): Promise<Lesson[]> {
  const lessons = await getCollection('lessons');
  lessons.sort((a, b) => a.data.order - b.data.order);
  const seen = new Map<number, string>();
  for (const lesson of lessons) {
    const clash = seen.get(lesson.data.order);
    if (clash !== undefined) throw new Error(`lessons ${clash} and ${lesson.id} both have order ${lesson.data.order}`);
    seen.set(lesson.data.order, lesson.id);
  }
  return lessons;
}

export function summarize(lesson: Lesson): LessonSummary {
  return { id: lesson.id, title: lesson.data.title, order: lesson.data.order, summary: lesson.data.summary };
}
