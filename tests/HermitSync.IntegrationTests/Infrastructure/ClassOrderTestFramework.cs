using System.Reflection;
using Xunit.Abstractions;
using Xunit.Sdk;

[assembly: TestFramework("HermitSync.IntegrationTests.Infrastructure.ClassOrderTestFramework", "HermitSync.IntegrationTests")]

namespace HermitSync.IntegrationTests.Infrastructure;

/// <summary>
/// xunit's own test framework, which can run the test classes in reverse. Usually a collection
/// runs its classes in the order they are found in the assembly, and xunit picks the order of the
/// collections. With <c>HERMIT_TEST_ORDER=reverse</c> both go backwards from the order the classes
/// are found in: the classes that share a stack meet it in another state. A suite whose tests
/// leave their stacks as they found them passes either way. Each collection says in a diagnostic
/// message which order its classes run in.
/// </summary>
public sealed class ClassOrderTestFramework(IMessageSink messageSink) : XunitTestFramework(messageSink)
{
    public const string Variable = "HERMIT_TEST_ORDER";

    protected override ITestFrameworkExecutor CreateExecutor(AssemblyName assemblyName) =>
        new Executor(assemblyName, SourceInformationProvider, DiagnosticMessageSink);

    private sealed class Executor(AssemblyName assemblyName, ISourceInformationProvider sourceInformation, IMessageSink diagnostics)
        : XunitTestFrameworkExecutor(assemblyName, sourceInformation, diagnostics)
    {
        protected override async void RunTestCases(IEnumerable<IXunitTestCase> testCases, IMessageSink executionMessageSink, ITestFrameworkExecutionOptions executionOptions)
        {
            var reversed = Environment.GetEnvironmentVariable(Variable) == "reverse";
            using var runner = new OrderedRunner(reversed, TestAssembly, testCases, DiagnosticMessageSink, executionMessageSink, executionOptions);
            await runner.RunAsync();
        }
    }

    private sealed class OrderedRunner(
        bool reversed, ITestAssembly assembly, IEnumerable<IXunitTestCase> testCases, IMessageSink diagnostics, IMessageSink execution, ITestFrameworkExecutionOptions options)
        : XunitTestAssemblyRunner(assembly, testCases, diagnostics, execution, options)
    {
        protected override async Task AfterTestAssemblyStartingAsync()
        {
            await base.AfterTestAssemblyStartingAsync();
            if (reversed)
            {
                TestCollectionOrderer = new LastFoundFirst(TestCases);
            }
        }

        /// <summary>A collection runs its classes in the order they first appear among its test cases.</summary>
        protected override Task<RunSummary> RunTestCollectionAsync(IMessageBus messageBus, ITestCollection testCollection, IEnumerable<IXunitTestCase> testCases, CancellationTokenSource cancellationTokenSource)
        {
            var ordered = reversed
                ? testCases.GroupBy(test => test.TestMethod.TestClass.Class.Name).Reverse().SelectMany(tests => tests).ToArray()
                : testCases.ToArray();
            DiagnosticMessageSink.OnMessage(new DiagnosticMessage(
                $"{(reversed ? "reverse" : "usual")} order: {testCollection.DisplayName}: {string.Join(", ", ordered.Select(t => t.TestMethod.TestClass.Class.Name.Split('.')[^1]).Distinct())}"));
            return base.RunTestCollectionAsync(messageBus, testCollection, ordered, cancellationTokenSource);
        }
    }

    /// <summary>Collections in reverse of the order their first test is found in.</summary>
    private sealed class LastFoundFirst(IEnumerable<IXunitTestCase> found) : ITestCollectionOrderer
    {
        public IEnumerable<ITestCollection> OrderTestCollections(IEnumerable<ITestCollection> testCollections)
        {
            var firstFound = found.Select((test, index) => (test.TestMethod.TestClass.TestCollection.UniqueID, index))
                .GroupBy(t => t.UniqueID).ToDictionary(g => g.Key, g => g.Min(t => t.index));
            return testCollections.OrderByDescending(collection => firstFound.GetValueOrDefault(collection.UniqueID));
        }
    }
}
