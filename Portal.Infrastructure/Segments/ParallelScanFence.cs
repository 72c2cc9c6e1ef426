using System.Linq.Expressions;
using Portal.Domain.Clients;

namespace Portal.Infrastructure.Segments;

/// <summary>
/// Lets PostgreSQL scan the clients table with parallel workers. A correlated subquery it cannot
/// turn into a join ("received fewer than k messages", an event EXISTS inside an OR) is parallel
/// restricted, and because every predicate of a table is applied at its scan, one such predicate
/// makes the whole 1.9 M-row scan single-threaded. So the top-level AND is split: the conditions
/// that are columns or plain (NOT) EXISTS go into an inner query fenced by OFFSET 0 (a subquery
/// with OFFSET is never pulled up), which runs as a Parallel Seq Scan; the restricted ones filter
/// its far fewer rows above the Gather. Same answer, one statement: the 27-criterion count went
/// from 1.64 s to 0.75 s by hand on the benchmark base (docs/BENCHMARKS.md).
/// </summary>
internal static class ParallelScanFence
{
    public static IQueryable<Client> Apply(IQueryable<Client> clients, Expression<Func<Client, bool>> predicate)
    {
        var conjuncts = new List<Expression>();
        Flatten(predicate.Body, conjuncts);
        var restricted = conjuncts.Where(IsRestricted).ToList();
        if (restricted.Count == 0 || restricted.Count == conjuncts.Count) return clients.Where(predicate);
        var safe = conjuncts.Except(restricted).ToList();
        return clients.Where(Lambda(safe, predicate.Parameters[0])).Skip(0).Where(Lambda(restricted, predicate.Parameters[0]));
    }

    private static void Flatten(Expression e, List<Expression> into)
    {
        if (e is BinaryExpression { NodeType: ExpressionType.AndAlso } and)
        {
            Flatten(and.Left, into);
            Flatten(and.Right, into);
        }
        else
        {
            into.Add(e);
        }
    }

    private static Expression<Func<Client, bool>> Lambda(List<Expression> parts, ParameterExpression parameter) =>
        Expression.Lambda<Func<Client, bool>>(parts.Aggregate(Expression.AndAlso), parameter);

    /// <summary>
    /// A condition PostgreSQL keeps as a correlated SubPlan: any subquery except a conjunct that is
    /// itself a plain (NOT) EXISTS, which becomes a semi or anti join.
    /// </summary>
    private static bool IsRestricted(Expression conjunct)
    {
        var plain = conjunct is UnaryExpression { NodeType: ExpressionType.Not } not ? not.Operand : conjunct;
        if (plain is MethodCallExpression { Method.Name: "Any" } any && IsQueryable(any))
        {
            return any.Arguments.Any(a => new SubqueryFinder().Finds(a, requireOrdering: true));
        }
        return new SubqueryFinder().Finds(conjunct, requireOrdering: false);
    }

    private static bool IsQueryable(MethodCallExpression call) =>
        call.Method.DeclaringType == typeof(Queryable) || call.Method.DeclaringType == typeof(Enumerable);

    /// <summary>Finds a subquery (an operator over a database set) in an expression.</summary>
    private sealed class SubqueryFinder : ExpressionVisitor
    {
        private bool _found;
        private bool _requireOrdering;

        public bool Finds(Expression e, bool requireOrdering)
        {
            _requireOrdering = requireOrdering;
            Visit(e);
            return _found;
        }

        protected override Expression VisitMethodCall(MethodCallExpression node)
        {
            if (IsQueryable(node) && node.Arguments.Count > 0 && IsSet(node.Arguments[0].Type))
            {
                // Inside a plain EXISTS only paging or counting keeps it a SubPlan.
                if (!_requireOrdering || node.Method.Name is "Skip" or "Take" or "Count" or "LongCount" or "OrderBy" or "OrderByDescending")
                {
                    _found = true;
                    return node;
                }
            }
            return base.VisitMethodCall(node);
        }

        /// <summary>A database set; an in-memory list (a value's "in (...)") is a parameter, not a subquery.</summary>
        private static bool IsSet(Type t) => typeof(IQueryable).IsAssignableFrom(t);
    }
}
