/* SPDX-License-Identifier: MIT */
/*
 * An intrusive AVL tree of disjoint closed ranges [start, last].
 *
 * Because the ranges never overlap, ordering nodes by start also orders
 * them by last, so one comparison decides both where a node goes and
 * whether it collides: a range that lies wholly left or right of a node
 * cannot overlap anything in that node's other subtree.
 *
 * Heights count nodes on the longest downward path: a leaf is 1 and an
 * empty subtree 0.  Every walk is a loop over parent pointers, so the
 * stack use is constant however the tree is shaped.
 */
#include "core/core.h"

static int height(const struct pvhdev__rnode *n)
{
	return n ? n->height : 0;
}

static void fix_height(struct pvhdev__rnode *n)
{
	int l = height(n->left), r = height(n->right);

	n->height = (l > r ? l : r) + 1;
}

/* Points whichever link held old (parent's child or the root) at repl. */
static void replace_child(struct pvhdev__rtree *t, struct pvhdev__rnode *parent,
                          struct pvhdev__rnode *old, struct pvhdev__rnode *repl)
{
	if (!parent)
		t->root = repl;
	else if (parent->left == old)
		parent->left = repl;
	else
		parent->right = repl;
}

/*
 *      n               r
 *     / \             / \
 *    a   r    ->     n   c
 *       / \         / \
 *      b   c       a   b
 */
static struct pvhdev__rnode *rotate_left(struct pvhdev__rtree *t,
                                         struct pvhdev__rnode *n)
{
	struct pvhdev__rnode *r = n->right;

	n->right = r->left;
	if (r->left)
		r->left->parent = n;
	r->parent = n->parent;
	replace_child(t, n->parent, n, r);
	r->left = n;
	n->parent = r;
	fix_height(n);
	fix_height(r);
	return r;
}

/* The mirror image of rotate_left. */
static struct pvhdev__rnode *rotate_right(struct pvhdev__rtree *t,
                                          struct pvhdev__rnode *n)
{
	struct pvhdev__rnode *l = n->left;

	n->left = l->right;
	if (l->right)
		l->right->parent = n;
	l->parent = n->parent;
	replace_child(t, n->parent, n, l);
	l->right = n;
	n->parent = l;
	fix_height(n);
	fix_height(l);
	return l;
}

/*
 * Restores the AVL property at n, whose subtrees are valid AVL trees
 * differing in height by at most 2.  Returns the subtree's new root.
 */
static struct pvhdev__rnode *balance(struct pvhdev__rtree *t,
                                     struct pvhdev__rnode *n)
{
	int bf = height(n->left) - height(n->right);

	if (bf > 1) {
		/* A left-right shape needs its inner child lifted first. */
		if (height(n->left->left) < height(n->left->right))
			rotate_left(t, n->left);
		return rotate_right(t, n);
	}
	if (bf < -1) {
		if (height(n->right->right) < height(n->right->left))
			rotate_right(t, n->right);
		return rotate_left(t, n);
	}
	fix_height(n);
	return n;
}

/*
 * Rebalances from n up to the root after a change below n.  n->height
 * still holds the height from before the change, so once a subtree
 * comes out as tall as it went in, nothing above it can have moved and
 * the walk stops early.
 */
static void rebalance(struct pvhdev__rtree *t, struct pvhdev__rnode *n)
{
	while (n) {
		int before = n->height;

		n = balance(t, n);
		if (n->height == before)
			break;
		n = n->parent;
	}
}

void pvhdev__rtree_init(struct pvhdev__rtree *t)
{
	t->root = NULL;
	t->count = 0;
}

/* Hangs leaf n at *link under parent, then rebalances up from there. */
static void hang(struct pvhdev__rtree *t, struct pvhdev__rnode *n,
                 struct pvhdev__rnode *parent, struct pvhdev__rnode **link)
{
	n->left = n->right = NULL;
	n->parent = parent;
	n->height = 1;
	*link = n;
	t->count++;
	rebalance(t, parent);
}

int pvhdev__rtree_insert(struct pvhdev__rtree *t, struct pvhdev__rnode *n)
{
	struct pvhdev__rnode **link = &t->root, *parent = NULL;

	if (n->last < n->start)
		return -EINVAL;
	while (*link) {
		parent = *link;
		if (n->last < parent->start)
			link = &parent->left;
		else if (n->start > parent->last)
			link = &parent->right;
		else
			return -EEXIST;
	}
	hang(t, n, parent, link);
	return 0;
}

/* Hangs n in t between prev and next, its neighbours-to-be in order
 * (either NULL at an end).  Where it goes is fixed: next's empty left
 * link, or else prev's right link, which is empty because prev is then
 * the rightmost node of next's left subtree (or of the whole tree). */
int pvhdev__rtree_insert_at(struct pvhdev__rtree *t, struct pvhdev__rnode *n,
                            struct pvhdev__rnode *prev, struct pvhdev__rnode *next)
{
	struct pvhdev__rnode **link = &t->root, *parent = NULL;

	if (n->last < n->start)
		return -EINVAL;
	if ((prev && prev->last >= n->start) || (next && next->start <= n->last) ||
	    (!prev && !next && t->root))
		return -EEXIST;
	if (next && !next->left) {
		parent = next;
		link = &next->left;
	} else if (prev) {
		if (prev->right)
			return -EINVAL; /* prev and next are not neighbours */
		parent = prev;
		link = &prev->right;
	} else if (next) {
		return -EINVAL;
	}
	hang(t, n, parent, link);
	return 0;
}

/*
 * Puts n's in-order successor s (the leftmost node of its right
 * subtree, which has no left child) where n was.  Returns the lowest
 * node whose subtree lost a level: s itself when it was n's right
 * child, else s's old parent.
 */
static struct pvhdev__rnode *lift_successor(struct pvhdev__rtree *t,
                                            struct pvhdev__rnode *n)
{
	struct pvhdev__rnode *s = n->right, *from = s;

	while (s->left)
		s = s->left;
	if (s != n->right) {
		from = s->parent;
		from->left = s->right;
		if (s->right)
			s->right->parent = from;
		s->right = n->right;
		s->right->parent = s;
	}
	s->left = n->left;
	s->left->parent = s;
	s->parent = n->parent;
	/* n's height is the subtree's height before the removal, which is
	 * what rebalance() compares against. */
	s->height = n->height;
	replace_child(t, n->parent, n, s);
	return from;
}

void pvhdev__rtree_remove(struct pvhdev__rtree *t, struct pvhdev__rnode *n)
{
	struct pvhdev__rnode *from;

	if (n->left && n->right) {
		from = lift_successor(t, n);
	} else {
		struct pvhdev__rnode *child = n->left ? n->left : n->right;

		from = n->parent;
		if (child)
			child->parent = from;
		replace_child(t, from, n, child);
	}
	t->count--;
	rebalance(t, from);
	/* A removed node points nowhere, so a stale walk fails fast. */
	n->left = n->right = n->parent = NULL;
	n->height = 0;
}

struct pvhdev__rnode *pvhdev__rtree_find(const struct pvhdev__rtree *t,
                                         uint64_t point)
{
	struct pvhdev__rnode *n = t->root;

	while (n) {
		if (point < n->start)
			n = n->left;
		else if (point > n->last)
			n = n->right;
		else
			return n;
	}
	return NULL;
}

struct pvhdev__rnode *pvhdev__rtree_first_from(const struct pvhdev__rtree *t,
                                               uint64_t point)
{
	struct pvhdev__rnode *n = t->root, *best = NULL;

	/* Ends are sorted like starts, so this is a lower bound on last. */
	while (n) {
		if (n->last >= point) {
			best = n;
			n = n->left;
		} else {
			n = n->right;
		}
	}
	return best;
}

struct pvhdev__rnode *pvhdev__rtree_around(const struct pvhdev__rtree *t,
                                           uint64_t point,
                                           struct pvhdev__rnode **before)
{
	struct pvhdev__rnode *n = t->root, *best = NULL, *left = NULL;

	/* As first_from; the last node the walk passes on its right is the
	 * greatest one ending before point: best's predecessor.  (A local,
	 * not *before: a store through it could alias the nodes' links.) */
	while (n) {
		if (n->last >= point) {
			best = n;
			n = n->left;
		} else {
			left = n;
			n = n->right;
		}
	}
	*before = left;
	return best;
}

struct pvhdev__rnode *pvhdev__rtree_first(const struct pvhdev__rtree *t)
{
	struct pvhdev__rnode *n = t->root;

	if (n)
		while (n->left)
			n = n->left;
	return n;
}

struct pvhdev__rnode *pvhdev__rtree_next(const struct pvhdev__rnode *n)
{
	struct pvhdev__rnode *p;

	if (n->right) {
		p = n->right;
		while (p->left)
			p = p->left;
		return p;
	}
	/* Climb out of right subtrees: the first ancestor reached from its
	 * left side is the next one up. */
	p = n->parent;
	while (p && n == p->right) {
		n = p;
		p = p->parent;
	}
	return p;
}
