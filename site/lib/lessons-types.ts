/** What islands know of a lesson (plain data, serialisable as island props). */
export interface LessonSummary {
  readonly id: string;
  readonly title: string;
  readonly order: number;
  readonly summary: string;
}
